; The Maeul Desk installer, built by `./dev package-windows` with Debian's NSIS.
; Per user (no administrator needed: county PCs often refuse elevation), Korean first,
; English second. The uninstaller keeps the database and recordings unless the user ticks
; the box that deletes them: an office that reinstalls must not lose its registry.
;
; makensis -INPUTCHARSET UTF8 -DVERSION=x.y.z -DROOT=<repo> -DOUT=<dir> installer.nsi

; A 64-bit installer for 64-bit programs (and Wine's 64-bit prefix in the tests).
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"

!ifndef VERSION
  !error "VERSION is not set (makensis -DVERSION=...)"
!endif

!define IDENT "kr.maeul.desk"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${IDENT}"
; WebView2 Evergreen runtime's client id (the same key Microsoft's own docs check).
!define WEBVIEW2_CLIENT "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_BOOTSTRAPPER "MicrosoftEdgeWebview2Setup.exe"
!define WEBVIEW2_URL "https://go.microsoft.com/fwlink/p/?LinkId=2124703"
; Where the desk keeps its data (directories::ProjectDirs("kr", "maeul", "Maeul Desk")),
; its window state (Tauri's app config) and its logs and web view cache (app local data).
!define DATA_DIR "$APPDATA\maeul\Maeul Desk"
!define CONFIG_DIR "$APPDATA\${IDENT}"
!define LOCAL_DIR "$LOCALAPPDATA\${IDENT}"

Name "$(AppName)"
OutFile "${OUT}\MaeulDesk-${VERSION}-setup.exe"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\Maeul Desk"
InstallDirRegKey HKCU "Software\${IDENT}" "InstallDir"
BrandingText "Maeul Desk ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "Maeul Desk"
VIAddVersionKey /LANG=0 "FileDescription" "Maeul Desk installer"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "MIT"

!define MUI_ICON "${ROOT}\icons\icon.ico"
!define MUI_UNICON "${ROOT}\icons\icon.ico"
!define MUI_ABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
!define MUI_LANGDLL_WINDOWTITLE "마을 데스크 · Maeul Desk"
!define MUI_LANGDLL_INFO "설치할 때 쓸 언어를 고르세요.$\r$\nPlease select a language."
!define MUI_LANGDLL_REGISTRY_ROOT HKCU
!define MUI_LANGDLL_REGISTRY_KEY "Software\${IDENT}"
!define MUI_LANGDLL_REGISTRY_VALUENAME "InstallerLanguage"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\maeul-desk.exe"
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

; The first language is the default where Windows' own is neither.
!insertmacro MUI_LANGUAGE "Korean"
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_RESERVEFILE_LANGDLL

LangString AppName ${LANG_KOREAN} "마을 데스크"
LangString AppName ${LANG_ENGLISH} "Maeul Desk"
LangString ShortcutName ${LANG_KOREAN} "마을 데스크"
LangString ShortcutName ${LANG_ENGLISH} "Maeul Desk"
LangString WebView2Found ${LANG_KOREAN} "WebView2 런타임이 있습니다: $0"
LangString WebView2Found ${LANG_ENGLISH} "WebView2 runtime found: $0"
LangString WebView2Installing ${LANG_KOREAN} "WebView2 런타임을 설치합니다 (화면 표시에 필요합니다)..."
LangString WebView2Installing ${LANG_ENGLISH} "Installing the WebView2 runtime (the app's window needs it)..."
LangString WebView2Failed ${LANG_KOREAN} "WebView2 런타임을 설치하지 못했습니다. 인터넷에 연결한 뒤 다시 설치하거나, ${WEBVIEW2_BOOTSTRAPPER}를 설치 파일 옆에 두고 다시 실행하세요."
LangString WebView2Failed ${LANG_ENGLISH} "The WebView2 runtime could not be installed. Connect to the internet and run the installer again, or put ${WEBVIEW2_BOOTSTRAPPER} beside the installer and run it again."
LangString DeleteData ${LANG_KOREAN} "데이터베이스·녹음·로그도 지우기"
LangString DeleteData ${LANG_ENGLISH} "Also delete the database, recordings and logs"
LangString DeleteDataDesc ${LANG_KOREAN} "선택하지 않으면 명부·발송 기록·녹음이 남아 다시 설치하면 그대로 쓸 수 있습니다."
LangString DeleteDataDesc ${LANG_ENGLISH} "Unticked, the registry, sending history and recordings stay and a reinstall picks them up."
LangString ProgramFiles ${LANG_KOREAN} "프로그램 파일"
LangString ProgramFiles ${LANG_ENGLISH} "Program files"

Function .onInit
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Function un.onInit
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd

Section "-Program"
  SetOutPath "$INSTDIR"
  File "${OUT}\maeul-desk.exe"
  File "${OUT}\maeul.exe"
  File "${OUT}\WebView2Loader.dll"
  File /oname=LICENSE-NanumGothic.txt "${ROOT}\assets\fonts\OFL.txt"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\$(ShortcutName).lnk" "$INSTDIR\maeul-desk.exe"
  CreateShortCut "$DESKTOP\$(ShortcutName).lnk" "$INSTDIR\maeul-desk.exe"

  WriteRegStr HKCU "Software\${IDENT}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "$(AppName) (Maeul Desk)"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "Maeul Desk"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\maeul-desk.exe"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" $0
SectionEnd

; Windows 10 (since 2021) and 11 ship the WebView2 runtime; a PC without it gets
; Microsoft's bootstrapper: from beside the installer when an office copied it there for
; PCs off the internet, else downloaded once.
Section "-WebView2"
  Call WebView2Version
  ${If} $0 != ""
    DetailPrint "$(WebView2Found)"
    Return
  ${EndIf}
  DetailPrint "$(WebView2Installing)"
  ${If} ${FileExists} "$EXEDIR\${WEBVIEW2_BOOTSTRAPPER}"
    ExecWait '"$EXEDIR\${WEBVIEW2_BOOTSTRAPPER}" /silent /install' $1
  ${Else}
    nsExec::ExecToLog 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "Invoke-WebRequest -UseBasicParsing -Uri ''${WEBVIEW2_URL}'' -OutFile ''$TEMP\${WEBVIEW2_BOOTSTRAPPER}''"'
    Pop $1
    ${If} ${FileExists} "$TEMP\${WEBVIEW2_BOOTSTRAPPER}"
      ExecWait '"$TEMP\${WEBVIEW2_BOOTSTRAPPER}" /silent /install' $1
      Delete "$TEMP\${WEBVIEW2_BOOTSTRAPPER}"
    ${EndIf}
  ${EndIf}
  Call WebView2Version
  ${If} $0 == ""
    MessageBox MB_ICONEXCLAMATION|MB_OK "$(WebView2Failed)" /SD IDOK
  ${EndIf}
SectionEnd

; $0 = the installed runtime's version, or "" (machine-wide or this user's).
Function WebView2Version
  SetRegView 64
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  ${If} $0 == "0.0.0.0"
    StrCpy $0 ""
  ${EndIf}
FunctionEnd

Section "-un.Program"
  Delete "$INSTDIR\maeul-desk.exe"
  Delete "$INSTDIR\maeul.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\LICENSE-NanumGothic.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\$(ShortcutName).lnk"
  Delete "$DESKTOP\$(ShortcutName).lnk"
  DeleteRegKey HKCU "${UNINST_KEY}"
  DeleteRegKey HKCU "Software\${IDENT}"
SectionEnd

; Unticked by default, so a silent uninstall (/S) keeps the data too.
Section /o "un.$(DeleteData)" SecDeleteData
  RMDir /r "${DATA_DIR}"
  RMDir "$APPDATA\maeul"
  RMDir /r "${CONFIG_DIR}"
  RMDir /r "${LOCAL_DIR}"
SectionEnd

!insertmacro MUI_UNFUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecDeleteData} "$(DeleteDataDesc)"
!insertmacro MUI_UNFUNCTION_DESCRIPTION_END

//! The provider clients against the fake provider (`maeul_fake_provider`), through the real
//! sync worker.

mod common;
mod feed;
mod keypad;
mod openapi;
mod practice;
mod solapi;
mod twilio;

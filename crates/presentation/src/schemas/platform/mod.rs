pub mod audit;
pub mod jobs;
pub mod system;

"""Team proposals (提案書): revisions, history, trainers ' review and publishing."""

"""Regional facts that are not occupations: the advisers a pupil can talk to (`advisers.yaml`)."""

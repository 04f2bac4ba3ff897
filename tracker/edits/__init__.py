"""Operations that change records: creating them, status changes and events, editing, starting a repository."""

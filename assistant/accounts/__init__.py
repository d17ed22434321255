"""Who may sign in and what they may do: password hashes (:mod:`.passwords`) and the users file (:mod:`.users`)."""

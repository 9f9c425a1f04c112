-- Tells whether a job record's state code (s) is live: queued, scheduled, active or retrying. Finished (c, d), missing
-- (false) and unreadable (an error table, from pcall on a key of another type) are not. 0 commands.
local function isLive(s)
  return s == 'q' or s == 's' or s == 'a' or s == 'r'
end

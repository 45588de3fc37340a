package jobs

// The queue's SQL, written with '?' placeholders (rebound for PostgreSQL by
// internal/db). Times are Unix milliseconds.

// jobColumns are the columns scanJob reads, in order.
const jobColumns = `id, kind, payload, run_at, attempts, max_attempts, last_error, unique_key, created_at`

// qInsert stores a job; a duplicate unique_key inserts nothing and returns
// no row. Args: kind, payload, run_at, max_attempts, unique_key, created_at.
const qInsert = `INSERT INTO jobs (kind, payload, run_at, max_attempts, unique_key, created_at)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`

// qSelectByKey reads the job holding a unique key.
const qSelectByKey = `SELECT ` + jobColumns + ` FROM jobs WHERE unique_key = ?`

// qSelectByID reads one job.
const qSelectByID = `SELECT ` + jobColumns + ` FROM jobs WHERE id = ?`

// qStatus reads a job with its lock and end times.
const qStatus = `SELECT ` + jobColumns + `, locked_by, locked_until, done_at, dead_at FROM jobs WHERE id = ?`

// qCancel deletes a pending job by unique key.
const qCancel = `DELETE FROM jobs WHERE unique_key = ? AND done_at IS NULL AND dead_at IS NULL`

// qBury marks dead the jobs whose last attempt's worker vanished: the lock
// expired and no attempt is left. Args: dead_at, now.
const qBury = `UPDATE jobs SET dead_at = ?, locked_by = NULL, locked_until = NULL,
    last_error = COALESCE(last_error, 'lock expired during the last attempt')
WHERE done_at IS NULL AND dead_at IS NULL AND attempts >= max_attempts
  AND locked_until IS NOT NULL AND locked_until <= ?`

// qClaimHead and qClaimTail surround the kind placeholders of the claim.
// The claim locks due, unlocked (or expired) jobs for this worker and counts
// the attempt up front, so a job that kills its worker still runs out of
// attempts. Args: locked_by, locked_until, now, now, kinds…, limit.
const qClaimHead = `UPDATE jobs SET locked_by = ?, locked_until = ?, attempts = attempts + 1
WHERE id IN (
  SELECT id FROM jobs
  WHERE done_at IS NULL AND dead_at IS NULL AND run_at <= ?
    AND (locked_until IS NULL OR locked_until <= ?)
    AND attempts < max_attempts
    AND kind IN (`

const qClaimTail = `)
  ORDER BY run_at, id LIMIT ?`

// qClaimReturning ends the claim on both dialects.
const qClaimReturning = `)
RETURNING ` + jobColumns

// qComplete marks a job done if this claim still holds it (a reclaim after
// lock expiry bumps attempts and changes locked_by; Cancel deletes the row).
// Args: done_at, id, locked_by, attempts.
const qComplete = `UPDATE jobs SET done_at = ?, locked_by = NULL, locked_until = NULL
WHERE id = ? AND locked_by = ? AND attempts = ? AND done_at IS NULL`

// qFail records a failed attempt: the error, the next run time, and dead_at
// once no attempt is left. Args: last_error, run_at, now, id, locked_by,
// attempts.
const qFail = `UPDATE jobs SET last_error = ?, run_at = ?, locked_by = NULL, locked_until = NULL,
    dead_at = CASE WHEN attempts >= max_attempts THEN CAST(? AS BIGINT) ELSE NULL END
WHERE id = ? AND locked_by = ? AND attempts = ? AND done_at IS NULL`

// qRelease gives a job back without counting the interrupted attempt, when
// the runner stops mid-run. Args: id, locked_by, attempts.
const qRelease = `UPDATE jobs SET locked_by = NULL, locked_until = NULL, attempts = attempts - 1
WHERE id = ? AND locked_by = ? AND attempts = ? AND done_at IS NULL`

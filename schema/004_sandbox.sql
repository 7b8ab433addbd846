-- pidcap database, schema version 4: the sandbox each capture was analysed
-- under, and files whose analysis crashed. Applied by `pidcap analyze`
-- (src/store/schema.c) in one transaction with PRAGMA user_version = 4.

-- The sandbox level the worker that analysed the file achieved, as `pidcap
-- analyze -v` prints it (e.g. 'landlock abi 7 (fs, net, scoped), seccomp,
-- caps 0, nnp'), or 'off' with --no-sandbox; NULL for captures analysed
-- before this column existed.
ALTER TABLE captures ADD COLUMN sandbox TEXT;

-- captures.status may also be 'crashed': the worker analysing the file was
-- killed by a signal or hit its CPU or memory limit. status_detail then says
-- how and at which packet ("killed by signal 6 (SIGABRT) at packet 1234");
-- nothing else of the file is stored, and the next run analyses it again.

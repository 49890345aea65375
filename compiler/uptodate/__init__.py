"""The next build answered from what the last one found, before the compiler is imported.

An up-to-date `policyc build` is mostly Python's start-up and imports: ~60 of its ~65 ms
(issue #18). Make and ninja answer "nothing to do" from file stamps alone; Gradle's
configuration cache keeps the result of its configuration with every file and environment
value it read, and reuses it while none of them changed. This package does the same:

- record.py: at the end of a build (`[-q] build [SOURCE...] [--out DIR]`, sources in the
  project's source/ folder), under the output folder's lock, it writes a memo: the command
  line, the working directory and the environment values a build reads; the stamp (device,
  inode, mode, size, mtime, ctime) of every file a build reads (the project's config,
  sources, catalogs, templates, brand, a reference document, the system fonts a key names,
  policyc's own code, the interpreter and its library folders) and of every file in the
  output folder; the names in each folder read; and what the next build would say with
  nothing changed (BuildResult.next_warnings: the warnings an up-to-date build gives).
- replay.py: the console script's first step. When the same command line runs again in the
  same place with the same environment, and every stamp and name still matches and no
  build holds the output folder, it says what the memo says and exits 0, importing nothing
  but `os`, `sys`, `json` and `time`. Anything else, and any doubt (a memo missing, damaged
  or another user's, a terminal's summary table to print), falls through to the build,
  which records again.

A file changed within the clock's last ticks before the memo was made (the outputs the build
just wrote) could change again with the same stamp (git's "racy clean" problem): the memo
holds its sha256, the next answer compares the bytes, and once the clock is past them the
memo is written again without them. The memo lives in the user's cache folder, out of reach
of a project checkout. tests/test_uptodate.py checks, path by path, that everything an
up-to-date build opens, lists or stats is covered by its memo.
"""

#!/bin/bash
# A typical entrypoint script: set up, trap the stop signal, run the program in the foreground.
#   entrypoint.sh LOG PROGRAM [ARG...]
# The trap appends `trap TERM` to LOG and exits 143; bash runs it only once the foreground
# program has ended. After the program, `program exited N` goes to LOG.
log=$1
shift
trap 'echo "trap TERM" >>"$log"; exit 143' TERM
echo "entrypoint ready $$" >>"$log"
"$@"
echo "program exited $?" >>"$log"

#!/usr/bin/env bash
# Gradescope autograder set-up (Ubuntu image): what run_autograder needs, installed once when
# the autograder is built. The autograder zip holds, beside this file and run_autograder:
#   diverge.yml   the staff's grading config (staff/diverge.yml of the kit)
#   out/kernel    the staff kernel, out/fs.img the disk (build-staff.sh's)
#   course/       the course's files, copied over the student's (course.mk, tests)
#   diverge/      diverge's dist/ (the release tarball of the action, unpacked)
#   node/         a Node 24 build for linux-x64, unpacked (Gradescope's image has no Node 24)
# Gradescope runs no Docker: the student's kernel is built here with make, and diverge boots it
# as a file (--candidate), so the Dockerfile's build is not used.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends gcc-riscv64-unknown-elf gcc libc6-dev make \
  qemu-system-misc jq

#!/usr/bin/env bash
# Gradescope autograder set-up (Ubuntu image): what run_autograder needs, installed once when
# the autograder is built. The autograder zip holds, beside this file and run_autograder:
#   diverge.yml   the staff's grading config (staff/diverge.yml of the kit)
#   out/os.dsk    the staff disk (build-staff.sh's)
#   diverge/      diverge's dist/ (the release tarball of the action, unpacked)
#   node/         a Node 24 build for linux-x64, unpacked (Gradescope's image has no Node 24)
# Gradescope runs no Docker: the student's Pintos is built here with make and pintos-mkdisk, and
# diverge boots the disk as a file (--candidate), so the Dockerfile's build is not used.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends gcc gcc-multilib binutils make perl qemu-system-x86 jq

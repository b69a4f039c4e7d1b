# The course's own test programs (course/tests/*.c, copied to user/), put on the disk beside xv6's:
#   make -f Makefile -f course/course.mk fs.img
# UPROGS takes them for mkfs's command line; fs.img's rule, read before this file, gets them as
# prerequisites here.
COURSE_TESTS = $U/_trunctest $U/_sbrktest $U/_killtest $U/_faulttest
UPROGS += $(COURSE_TESTS)
fs.img: $(COURSE_TESTS)

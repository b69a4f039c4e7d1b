// Course test: open(O_TRUNC) empties a file.

#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

int
main(void)
{
  struct stat st;
  int fd;

  fd = open("trunc", O_CREATE|O_WRONLY);
  if(fd < 0 || write(fd, "abcdefgh", 8) != 8){
    printf("trunctest: cannot write trunc\nFAILED\n");
    exit(1);
  }
  close(fd);
  fd = open("trunc", O_WRONLY|O_TRUNC);
  if(fd < 0 || write(fd, "xy", 2) != 2){
    printf("trunctest: cannot rewrite trunc\nFAILED\n");
    exit(1);
  }
  close(fd);
  if(stat("trunc", &st) < 0){
    printf("trunctest: cannot stat trunc\nFAILED\n");
    exit(1);
  }
  printf("trunctest: 8 bytes, truncated, 2 written: size %d\n", (int)st.size);
  if(st.size != 2){
    printf("FAILED\n");
    exit(1);
  }
  unlink("trunc");
  printf("OK\n");
  exit(0);
}

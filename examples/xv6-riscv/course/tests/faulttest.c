// Course test: a child that reads an unmapped address is killed with status -1; the kernel says
// why on the console.

#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"

int
main(void)
{
  int pid = fork();
  if(pid < 0){
    printf("faulttest: fork failed\nFAILED\n");
    exit(1);
  }
  if(pid == 0){
    volatile char *p = (char *) 0x3000000000L;
    printf("faulttest: %d\n", *p);
    exit(0);
  }
  int status = 0;
  wait(&status);
  if(status != -1){
    printf("faulttest: status %d, expected -1\nFAILED\n", status);
    exit(1);
  }
  printf("OK\n");
  exit(0);
}

// Course test: kill() ends a process that never makes a system call.

#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"

int
main(void)
{
  int pid = fork();
  if(pid < 0){
    printf("killtest: fork failed\nFAILED\n");
    exit(1);
  }
  if(pid == 0)
    for(;;)
      ;
  sleep(2);
  printf("killtest: killing a child that only computes\n");
  kill(pid);
  int status = 0;
  if(wait(&status) != pid || status != -1){
    printf("killtest: wait gave status %d, expected -1\nFAILED\n", status);
    exit(1);
  }
  printf("OK\n");
  exit(0);
}

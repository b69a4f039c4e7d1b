// Course test: shrinking the heap by less than a page, across a page boundary, frees the page
// above the new break and nothing below it.

#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"

#define PGSIZE 4096

int
main(void)
{
  uint64 top = (uint64) sbrk(0);
  if(top % PGSIZE)
    sbrk(PGSIZE - top % PGSIZE);
  sbrk(PGSIZE);
  sbrk(10);
  sbrk(-20);
  char *brk = sbrk(0);
  printf("sbrktest: break %d bytes below a page boundary\n", (int)(PGSIZE - (uint64)brk % PGSIZE));
  brk[-1] = 'x';
  if(brk[-1] != 'x'){
    printf("FAILED\n");
    exit(1);
  }
  printf("OK\n");
  exit(0);
}

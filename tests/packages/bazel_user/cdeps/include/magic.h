#ifndef MAGIC_H
#define MAGIC_H

int magic_number(void);

#endif

#include "magic.h"

int magic_number(void) { return 42; }

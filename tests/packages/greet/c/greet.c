#include "greet.h"
int greet_answer(int base) { return base + 40; }

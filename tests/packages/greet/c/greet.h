/* A C library that exists only in a host prefix. */
int greet_answer(int base);

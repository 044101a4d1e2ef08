#include <stdio.h>

#include "libgohash.h"

int main(void) {
    char *hex = Sha256Hex("hello", 5);
    printf("%lld %s\n", Add(40, 2), hex);
    FreeString(hex);
    return 0;
}

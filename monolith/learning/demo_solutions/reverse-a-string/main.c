#include <stdio.h>
#include <string.h>

int main(void) {
    static char text[100002];
    if (!fgets(text, sizeof text, stdin)) return 0;
    text[strcspn(text, "\r\n")] = '\0';
    size_t n = strlen(text);
    for (size_t i = 0; i < n / 2; i++) {
        char c = text[i];
        text[i] = text[n - 1 - i];
        text[n - 1 - i] = c;
    }
    printf("%s\n", text);
    return 0;
}

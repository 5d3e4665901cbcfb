#include <stdio.h>
#include <string.h>

int main(void) {
    static char text[100002];
    static char stack[100002];
    size_t top = 0;
    int ok = 1;
    if (!fgets(text, sizeof text, stdin)) return 0;
    text[strcspn(text, "\r\n")] = '\0';
    for (size_t i = 0; text[i] && ok; i++) {
        char c = text[i];
        if (c == '(' || c == '[' || c == '{') {
            stack[top++] = c;
        } else if (c == ')' || c == ']' || c == '}') {
            char open = c == ')' ? '(' : c == ']' ? '[' : '{';
            if (top == 0 || stack[--top] != open) ok = 0;
        }
    }
    puts(ok && top == 0 ? "YES" : "NO");
    return 0;
}

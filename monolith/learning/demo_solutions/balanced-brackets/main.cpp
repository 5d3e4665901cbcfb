#include <iostream>
#include <stack>
#include <string>

int main() {
    std::string text;
    std::getline(std::cin, text);
    std::stack<char> open;
    bool ok = true;
    for (char c : text) {
        if (c == '(' || c == '[' || c == '{') {
            open.push(c);
        } else if (c == ')' || c == ']' || c == '}') {
            char expected = c == ')' ? '(' : c == ']' ? '[' : '{';
            if (open.empty() || open.top() != expected) {
                ok = false;
                break;
            }
            open.pop();
        }
    }
    std::cout << (ok && open.empty() ? "YES" : "NO") << '\n';
}

#include <algorithm>
#include <iostream>
#include <string>

int main() {
    std::string text;
    std::getline(std::cin, text);
    if (!text.empty() && text.back() == '\r') text.pop_back();
    std::reverse(text.begin(), text.end());
    std::cout << text << '\n';
}

#include <chrono>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

int main() {
    std::string cmd;
    std::getline(std::cin, cmd);
    if (cmd == "hello") {
        std::cout << "Hello, World!" << std::endl;
    } else if (cmd == "echo") {
        std::cout << std::string(std::istreambuf_iterator<char>(std::cin), {});
    } else if (cmd == "crash") {
        throw std::runtime_error("boom");
    } else if (cmd == "wrong") {
        std::cout << 42 << std::endl;
    } else if (cmd == "spin") {
        volatile unsigned long x = 0;
        for (;;) x = x + 1;
    } else if (cmd == "sleep") {
        std::this_thread::sleep_for(std::chrono::hours(1));
    } else if (cmd == "alloc") {
        std::vector<std::vector<char>> chunks;
        for (;;) chunks.emplace_back(1 << 20, 'x');
    }
    return 0;
}

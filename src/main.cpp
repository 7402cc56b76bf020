#include "pgdrift/cli/main.hpp"

int main(int argc, char** argv) { return pgdrift::cli::main(argc, argv); }

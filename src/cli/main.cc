#include "cli/command.h"

int main(int argc, char** argv) { return upcamp::cli::RunMain(argc, argv); }

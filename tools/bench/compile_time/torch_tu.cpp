// The reference: a translation unit that includes LibTorch and nothing else.
#include <torch/torch.h>

int main() { return static_cast<int>(torch::ones({1}).sum().item<float>()) - 1; }

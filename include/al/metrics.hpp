#pragma once
// The comparison metrics: AUBC, learning curves over seeds, the paired t
// test, the verdict against random and the pairwise penalty matrix.
// Header-only, std only (no LibTorch): see docs/comparisons.md.

#include <al/metrics/aubc.hpp>
#include <al/metrics/learning_curve.hpp>
#include <al/metrics/paired_test.hpp>
#include <al/metrics/penalty_matrix.hpp>
#include <al/metrics/student_t.hpp>
#include <al/metrics/verdict.hpp>

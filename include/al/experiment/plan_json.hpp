#pragma once
// The plan as data: plan.json in every results folder, beside plan.txt
// (which is for people). Readers — the report, a comparison folder, a
// script of the user's — take the recipe, the cycle count and every step
// from here, never from the printed plan. Plain data, no LibTorch; the
// writer and the reader live in the alpipe::experiment library.
//
//   al::write_plan_json(folder / "plan.json", plan);
//   const al::plan p = al::plan_from_json(text);   // p == plan

#include <al/plan.hpp>

#include <string>
#include <string_view>

namespace al {

/// The format plan.json is written in; a reader refuses a newer one.
inline constexpr int plan_json_format = 1;

/// `p` as JSON: {"format": 1, "steps": [{"step": "train", "cycle": 0,
/// "recipe": {...}}, ...]}, every field of every step (docs/results-folder.md).
std::string plan_json(const plan& p);

/// The plan plan_json wrote; throws std::runtime_error saying what is wrong
/// (not JSON, a newer format, a missing or mistyped field).
plan plan_from_json(std::string_view text);

}  // namespace al

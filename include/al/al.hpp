#pragma once
// alpipe: the whole DSL. No LibTorch here; the engine is linked, not included.

#include <al/config.hpp>
#include <al/errors.hpp>
#include <al/explain.hpp>
#include <al/parse.hpp>
#include <al/pipeline.hpp>
#include <al/plan.hpp>
#include <al/plan_error.hpp>
#include <al/report.hpp>
#include <al/requirements.hpp>
#include <al/run.hpp>
#include <al/seed.hpp>
#include <al/stage/cycle.hpp>
#include <al/stage/initial.hpp>
#include <al/stage/query.hpp>
#include <al/stage/train.hpp>
#include <al/strategy/entropy.hpp>
#include <al/strategy/least_confidence.hpp>
#include <al/strategy/margin.hpp>
#include <al/strategy/random.hpp>
#include <al/strategy/selector.hpp>
#include <al/version.hpp>
#include <al/words.hpp>

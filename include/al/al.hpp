#pragma once
// alpipe: the whole DSL. No LibTorch here; the engine is linked, not included.

#include <al/compare.hpp>
#include <al/config.hpp>
#include <al/errors.hpp>
#include <al/explain.hpp>
#include <al/limits.hpp>
#include <al/oracle/label_import.hpp>
#include <al/parse.hpp>
#include <al/pipeline.hpp>
#include <al/plan.hpp>
#include <al/plan_error.hpp>
#include <al/pretext.hpp>
#include <al/report.hpp>
#include <al/requirements.hpp>
#include <al/rules.hpp>
#include <al/run.hpp>
#include <al/seed.hpp>
#include <al/stopping_rules.hpp>
#include <al/stage/cycle.hpp>
#include <al/stage/initial.hpp>
#include <al/stage/pretrain.hpp>
#include <al/stage/query.hpp>
#include <al/stage/train.hpp>
#include <al/strategies.hpp>
#include <al/version.hpp>
#include <al/words.hpp>

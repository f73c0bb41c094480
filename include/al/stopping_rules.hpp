#pragma once
// Every built-in stopping rule (al/stopping_rule.hpp). Each header adds its
// rule to the table as it is included by the DSL library.

#include <al/stopping/plateau.hpp>
#include <al/stopping/stable_predictions.hpp>
#include <al/stopping_rule.hpp>

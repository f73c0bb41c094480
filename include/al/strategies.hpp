#pragma once
// Every built-in strategy word. Each header adds its word to the text front
// end's table (al/word_table.hpp) as it is included, so this list is the one
// place a new built-in word is named besides its own files (a test checks
// that it names every header in al/strategy/).

#include <al/strategy/badge.hpp>
#include <al/strategy/bald.hpp>
#include <al/strategy/balanced.hpp>
#include <al/strategy/boundary.hpp>
#include <al/strategy/class_balanced.hpp>
#include <al/strategy/coreset.hpp>
#include <al/strategy/entropy.hpp>
#include <al/strategy/least_confidence.hpp>
#include <al/strategy/margin.hpp>
#include <al/strategy/mcdal.hpp>
#include <al/strategy/mix.hpp>
#include <al/strategy/prefilter.hpp>
#include <al/strategy/probcover.hpp>
#include <al/strategy/pt4al.hpp>
#include <al/strategy/random.hpp>
#include <al/strategy/selector.hpp>
#include <al/strategy/softrank.hpp>
#include <al/strategy/tod.hpp>
#include <al/strategy/typiclust.hpp>

// bnnir HLS kernel library: every streaming kernel of the hwstream dialect.
#ifndef BNNIR_HPP
#define BNNIR_HPP

#include "common.hpp"
#include "dwc.hpp"
#include "label_select.hpp"
#include "mvtu.hpp"
#include "pad.hpp"
#include "pool.hpp"
#include "threshold.hpp"
#include "window.hpp"

#endif

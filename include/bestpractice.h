/*
 * libbestpractice: the library behind the `bestpractice` command.
 *
 * A knowledge base (KB) of practice tips is a plain git repository of Markdown articles with
 * YAML front matter; every change is a commit; a SQLite FTS5 index, kept under .git, is a cache
 * that follows git. Each header below covers one concern and compiles on its own.
 */
#ifndef BESTPRACTICE_H
#define BESTPRACTICE_H

#define BP_VERSION "0.1.0"

#include "bp/common.h"
#include "bp/article.h"
#include "bp/render.h"
#include "bp/query.h"
#include "bp/kb.h"
#include "bp/index.h"
#include "bp/path.h"
#include "bp/sync.h"

#endif

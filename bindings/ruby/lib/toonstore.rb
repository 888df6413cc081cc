# frozen_string_literal: true

# ToonStore: an embedded row store. `ToonStore.open(path)` opens a database;
# see docs/ruby/README.md of the repository for the whole API.
require 'toonstore/toonstore_ext'
require 'toonstore/errors'
require 'toonstore/library'
require 'toonstore/database'

ToonStore::Library.load!

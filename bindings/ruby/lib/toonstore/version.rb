# frozen_string_literal: true

class ToonStore
  # The gem's version: the version of the libtoonstore release it was made
  # with (Cargo.toml); test/test_packaging.rb checks that they agree.
  VERSION = '1.0.0'
end

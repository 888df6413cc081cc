# frozen_string_literal: true

# Shared setup of the minitest suite. The suite runs against the installed
# gem (build_and_test.sh sets GEM_HOME and TOONSTORE_LIB), never against
# lib/ of the checkout.
require 'minitest/autorun'
require 'tmpdir'
require 'fileutils'
require 'rbconfig'
require 'open3'
require 'toonstore'

module ToonStoreTest
  RUBY = RbConfig.ruby

  # A fresh database directory per test, removed afterwards.
  def setup
    super
    @tmp = Dir.mktmpdir('toonstore-rb-')
    @dir = File.join(@tmp, 'db')
  end

  def teardown
    @db&.close unless @db.nil? || @db.closed?
    FileUtils.rm_rf(@tmp)
    super
  end

  def open_db(**options)
    @db = ToonStore.open(@dir, **options)
  end

  # Runs Ruby code in a child process with the same gem and library.
  # Returns [stdout, stderr, status].
  def ruby_child(code, *args, env: {})
    Open3.capture3(env, RUBY, '-e', code, *args)
  end

  # Starts a child that runs `code` and returns [stdin, stdout, thread].
  def spawn_child(code, *args)
    stdin, stdout, thread = Open3.popen2(RUBY, '-e', code, *args)
    [stdin, stdout, thread]
  end
end

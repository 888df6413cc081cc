# frozen_string_literal: true

# Where the time of a get goes: CPU time per call of a loop doing nothing,
# include? (the index only), get in id order and get in random order, over
# 1,000,000 rows; one Ruby thread, two rounds. Not part of bench.sh.
#
#   TOONSTORE_LIB=target/release/libtoonstore.so ruby bindings/ruby/bench/get_cost.rb [rows]
require 'tmpdir'
require 'toonstore'

def cpu_ns(count)
  t = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID)
  yield
  (Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID) - t) * 1e9 / count
end

n = Integer(ARGV[0] || 1_000_000)
Dir.mktmpdir do |tmp|
  db = ToonStore.open(File.join(tmp, 'db'), durability: :off)
  n.times { |i| db.put("users[#{i}]{id,name,email}: #{i},Name#{i},user#{i}@example.com,#{'x' * (i % 40)}") }
  order = (0...n).to_a.shuffle(random: Random.new(1))
  in_order = (0...n).to_a
  puts "#{Time.now.utc.strftime('%Y-%m-%d %H:%M UTC')}, #{n} rows, load #{File.read('/proc/loadavg').split.first(3).join(' ')}"
  2.times do |round|
    GC.start
    puts format('round %d: loop %4.0f ns, include? (random) %4.0f ns, get (in id order) %4.0f ns, get (random) %4.0f ns',
                round + 1,
                cpu_ns(n) { order.each(&:abs) },
                cpu_ns(n) { order.each { |i| db.include?(i) } },
                cpu_ns(n) { in_order.each { |i| db.get(i) } },
                cpu_ns(n) { order.each { |i| db.get(i) } })
  end
  db.close
end

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NUnit.Framework;

namespace ToonStore.Tests
{
    [TestFixture]
    public class ThreadTests : TestBase
    {
        [Test]
        public void ConcurrentPutsGetsScansAndBatches()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                var written = new ConcurrentDictionary<long, string>();
                var errors = new ConcurrentQueue<string>();
                var threads = new List<Thread>();
                for (int t = 0; t < 4; t++)
                {
                    int k = t;
                    threads.Add(new Thread(() =>
                    {
                        try
                        {
                            using (var b = new WriteBatch())
                            {
                                for (int i = 0; i < 500; i++)
                                {
                                    string v = "t" + k + " i" + i;
                                    long id = db.Put(B(v));
                                    if (!written.TryAdd(id, v)) errors.Enqueue("id given twice: " + id);
                                    if (S(db.Get(id)) != v) errors.Enqueue("read back " + id);
                                    if (i % 50 == 0)
                                    {
                                        b.Put(B(v + " a")).Put(B(v + " b"));
                                        long first = db.Write(b);
                                        written.TryAdd(first, v + " a");
                                        written.TryAdd(first + 1, v + " b");
                                        long prev = -1;
                                        foreach (var r in db.Scan())
                                        {
                                            if (r.RowId <= prev) errors.Enqueue("scan order");
                                            prev = r.RowId;
                                        }
                                    }
                                }
                            }
                        }
                        catch (Exception e)
                        {
                            errors.Enqueue(e.ToString());
                        }
                    }));
                }
                threads.ForEach(th => th.Start());
                threads.ForEach(th => th.Join());
                Assert.IsEmpty(errors, string.Join("\n", errors.Take(3)));
                Assert.AreEqual(4 * 520, written.Count);
                Assert.AreEqual(written.Count, db.Stats().LiveRows);
                foreach (var kv in written) Assert.AreEqual(kv.Value, S(db.Get(kv.Key)));
                var ids = db.Scan().Select(r => r.RowId).ToArray();
                Assert.AreEqual(Enumerable.Range(0, written.Count).Select(i => (long)i).ToArray(), ids);
            }
        }

        [Test]
        public void DisposeWhileOtherThreadsCallNeverCrashes()
        {
            // Every call either completes or throws ObjectDisposedException: the
            // SafeHandle's reference count keeps the native handle alive for a call
            // in flight, and Dispose's close runs when the last call returns.
            for (int round = 0; round < 5; round++)
            {
                var db = ToonStoreDb.Open(Dir);
                db.Put(B("x"));
                var errors = new ConcurrentQueue<string>();
                int disposedSeen = 0;
                var go = new ManualResetEventSlim();
                var threads = Enumerable.Range(0, 3).Select(k => new Thread(() =>
                {
                    go.Wait();
                    for (int i = 0; i < 20000; i++)
                    {
                        try
                        {
                            if (k == 0) db.Put(B("y"));
                            else if (k == 1) db.Get(0);
                            else db.Scan().Take(2).Count();
                        }
                        catch (ObjectDisposedException)
                        {
                            Interlocked.Increment(ref disposedSeen);
                            return;
                        }
                        catch (Exception e)
                        {
                            errors.Enqueue(e.GetType().Name + ": " + e.Message);
                            return;
                        }
                    }
                })).ToList();
                threads.ForEach(th => th.Start());
                go.Set();
                Thread.Sleep(20);
                db.Dispose();
                threads.ForEach(th => th.Join());
                Assert.IsEmpty(errors, string.Join("\n", errors.Take(3)));
                using (var again = ToonStoreDb.Open(Dir)) Assert.AreEqual("x", S(again.Get(0)));
            }
        }
    }
}

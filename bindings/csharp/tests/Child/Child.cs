// Helper process of the tests (ProcessTests): another process on the same
// database.
//   hold <dir>          opens <dir>, prints "ready", waits for EOF on stdin, closes
//   read <dir> <id>     prints row <id> as UTF-8
//   write <dir> <rows>  puts rows "row <i>" and prints "acked <id>" after each
//   putter <dir> <durability>  opens <dir> for writing, prints "ready", puts each
//                       line of stdin and prints its id once acknowledged; closes at EOF
//   open <dir>          tries to open; prints "ok" or "error <C name>: <message>"
using System;
using System.Text;
using ToonStore;

internal static class Child
{
    private static int Main(string[] args)
    {
        try
        {
            switch (args[0])
            {
                case "hold":
                    using (ToonStoreDb.Open(args[1]))
                    {
                        Console.Out.WriteLine("ready");
                        Console.Out.Flush();
                        while (Console.In.ReadLine() != null) { }
                    }
                    return 0;
                case "read":
                    using (var db = ToonStoreDb.Open(args[1], new ToonStoreOptions { ReadOnly = true }))
                        Console.Out.WriteLine(Encoding.UTF8.GetString(db.Get(long.Parse(args[2]))));
                    return 0;
                case "write":
                    using (var db = ToonStoreDb.Open(args[1]))
                    {
                        int n = int.Parse(args[2]);
                        for (int i = 0; i < n; i++)
                        {
                            long id = db.Put(Encoding.UTF8.GetBytes("row " + i));
                            Console.Out.WriteLine("acked " + id);
                            Console.Out.Flush();
                        }
                    }
                    return 0;
                case "putter":
                    using (var db = ToonStoreDb.Open(args[1], new ToonStoreOptions { Durability = (Durability)Enum.Parse(typeof(Durability), args[2]) }))
                    {
                        Console.Out.WriteLine("ready");
                        Console.Out.Flush();
                        for (string line = Console.In.ReadLine(); line != null; line = Console.In.ReadLine())
                        {
                            Console.Out.WriteLine(db.Put(Encoding.UTF8.GetBytes(line)));
                            Console.Out.Flush();
                        }
                    }
                    return 0;
                case "open":
                    using (ToonStoreDb.Open(args[1])) Console.Out.WriteLine("ok");
                    return 0;
                default:
                    Console.Error.WriteLine("unknown command " + args[0]);
                    return 2;
            }
        }
        catch (ToonStoreException e)
        {
            Console.Out.WriteLine("error " + e.Message);
            return 1;
        }
    }
}

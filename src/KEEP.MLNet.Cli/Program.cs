Console.WriteLine("keep");

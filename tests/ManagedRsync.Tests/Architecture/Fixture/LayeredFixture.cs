// Types that exist only to be read back as IL by LayerRuleTests: each namespace below uses another in exactly one
// way, so a test can tell which kinds of use the graph sees.
namespace ManagedRsync.Tests.Architecture.Fixture.High
{
    public sealed class Target
    {
        public static int Count => 1;

        public int Touch() => Low.Helper.One(); // downward: allowed
    }
}

namespace ManagedRsync.Tests.Architecture.Fixture.Low
{
    public static class Helper
    {
        public static int One() => 1;
    }

    /// <summary>Uses High only in a method body (a local and a call), never in a signature.</summary>
    public static class BodyOnly
    {
        public static int Run()
        {
            var target = new High.Target();
            return target.Touch();
        }
    }
}

namespace ManagedRsync.Tests.Architecture.Fixture.LowLambda
{
    /// <summary>Uses High only inside a lambda (compiled into a nested closure type).</summary>
    public static class InLambda
    {
        public static Func<int> Make() => () => High.Target.Count;
    }
}

namespace ManagedRsync.Tests.Architecture.Fixture.LowAsync
{
    /// <summary>Uses High only after an await (compiled into a nested state machine).</summary>
    public static class InAsync
    {
        public static async Task<int> RunAsync()
        {
            await Task.Yield();
            return High.Target.Count;
        }
    }
}

namespace ManagedRsync.Tests.Architecture.Fixture.Mid.A
{
    public static class First
    {
        public static int Run() => B.Second.Value;
    }
}

namespace ManagedRsync.Tests.Architecture.Fixture.Mid.B
{
    public static class Second
    {
        public static int Value => 2;

        public static int Back() => A.First.Run(); // closes the cycle A <-> B inside one layer
    }
}

// Two namespaces that use each other only inside method bodies: the control for LayoutTest's IL reading.
namespace ScaleFunctions.Tests.LayoutSample.A
{
    public static class Caller
    {
        public static int Call() => B.Callee.Value() + 1;

        public static int Value() => 1;
    }
}

namespace ScaleFunctions.Tests.LayoutSample.B
{
    public static class Callee
    {
        public static int Value() => 2;

        public static int CallBack() => A.Caller.Value();
    }
}

global using Xunit;
global using ManagedRsync.Cli;

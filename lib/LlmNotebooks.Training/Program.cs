using System.CommandLine;
using LlmNotebooks.Training;

// The `train` command line: see TrainCommand. Example (from the repository root):
//   dotnet run --project lib/LlmNotebooks.Training -c Release -- train --out models/tiny-gpt
return TrainCommand.Create().Parse(args).Invoke();

using LlmNotebooks.Training;

// The training tools (see TrainCommand and ExperimentCommand). Examples (from the repository root):
//   dotnet run --project lib/LlmNotebooks.Training -c Release -- train --out models/tiny-gpt
//   dotnet run --project lib/LlmNotebooks.Training -c Release -- experiment <name>
return TrainCommand.Create().Parse(args).Invoke();

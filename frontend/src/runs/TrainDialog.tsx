interface Props {
  designId: string | null;
  onClose: () => void;
  beforeTrain?: () => Promise<string | null>;
}

export function TrainDialog({ onClose }: Props) {
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal">Training form</div>
    </div>
  );
}

"""Extra graph outputs of the shipped text model (used by training/text_minilm/export.py and the conversation model).

The conversation model (``training/conversation``) runs its own fine-tuned copies of encoder layers 5-6 on the
token states after layer 4, so a conversation costs one shared encoder pass; the text model's ONNX graph exposes
those states as the output ``hidden``. Adding an output leaves weights and the other outputs untouched.
"""

from __future__ import annotations

from pathlib import Path

HIDDEN_TENSOR = "/net/encoder/encoder/layer.3/output/LayerNorm/LayerNormalization_output_0"


def add_hidden_output(path: Path) -> None:
    """Expose :data:`HIDDEN_TENSOR` as the graph output ``hidden`` (idempotent; weights are untouched)."""
    import onnx

    model = onnx.load(str(path))
    if "hidden" in {o.name for o in model.graph.output}:
        return
    if not any(HIDDEN_TENSOR in n.output for n in model.graph.node):
        raise RuntimeError(f"{path} has no tensor {HIDDEN_TENSOR}")
    model.graph.node.append(onnx.helper.make_node("Identity", [HIDDEN_TENSOR], ["hidden"], name="hidden_output"))
    model.graph.output.append(
        onnx.helper.make_tensor_value_info("hidden", onnx.TensorProto.FLOAT, ["batch", "tokens", 384])
    )
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


if __name__ == "__main__":
    add_hidden_output(
        Path(__file__).resolve().parents[2] / "src/affectscope/models/text_minilm_goemotions/model.int8.onnx"
    )

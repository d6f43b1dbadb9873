"""``vllm.lora.request.LoRARequest(lora_name, lora_int_id, lora_path)``."""


class LoRARequest:
    def __init__(self, lora_name, lora_int_id, lora_path="", **kwargs):
        self.lora_name = lora_name
        self.lora_int_id = lora_int_id
        self.lora_path = lora_path

    def __repr__(self):
        return f"LoRARequest(lora_name={self.lora_name!r}, lora_int_id={self.lora_int_id}, lora_path={self.lora_path!r})"
